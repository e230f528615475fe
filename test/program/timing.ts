/**
 * Root hooks of `npm test`: the wall time of the test/program files (they run first; other suites follow in the same
 * mocha run). Apart from harness.ts so that the harness also runs outside mocha (scripts/render).
 */
import * as path from 'node:path';
import type { RootHookObject } from 'mocha';

const suiteStart = Date.now();
let lastProgramTestEnd = suiteStart;
const programTestDir = path.join(__dirname) + path.sep;

export const mochaHooks: RootHookObject = {
  afterEach(this: Mocha.Context) {
    if (this.currentTest?.file?.startsWith(programTestDir)) lastProgramTestEnd = Date.now();
  },
  afterAll() {
    console.log(
      `  test/program (the program under Pulumi mocks): ${((lastProgramTestEnd - suiteStart) / 1000).toFixed(1)} s`,
    );
  },
};
