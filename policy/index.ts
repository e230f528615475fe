/** `pulumi preview --policy-pack policy`: the books platform's guardrails. */
import { PolicyPack } from '@pulumi/policy';
import { policies } from './policies';

new PolicyPack('books-platform', { enforcementLevel: 'mandatory', policies });
