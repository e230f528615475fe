/**
 * Validates captured manifests against the Kubernetes OpenAPI schemas, through the models of the
 * npm package kubernetes-models (an ES module: loaded with a dynamic import).
 */
interface ModelInstance {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => ModelInstance;

/** `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }`. */
export function typeMeta(pulumiType: string): { apiVersion: string; kind: string } {
  const match = /^kubernetes:([^:]+):(\w+)$/.exec(pulumiType);
  if (!match) throw new Error(`not a Kubernetes resource type: ${pulumiType}`);
  const groupVersion = match[1]!;
  return {
    apiVersion: groupVersion.startsWith('core/') ? groupVersion.slice('core/'.length) : groupVersion,
    kind: match[2]!,
  };
}

const models = new Map<string, ModelClass>();

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const key = `${apiVersion}/${kind}`;
  let model = models.get(key);
  if (!model) {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, ModelClass>;
    model = module[kind];
    if (!model) throw new Error(`kubernetes-models has no ${key}`);
    models.set(key, model);
  }
  return model;
}

/** Throws the schema errors of a manifest (Pulumi inputs of a Kubernetes resource). */
export async function validateManifest(pulumiType: string, inputs: Record<string, unknown>): Promise<void> {
  const meta = typeMeta(pulumiType);
  const Model = await modelFor(meta.apiVersion, meta.kind);
  new Model({ ...inputs, ...meta }).validate();
}
