/**
 * Validates Kubernetes objects against the upstream OpenAPI schemas (kubernetes-models 4.5,
 * generated from Kubernetes' own OpenAPI; it includes admissionregistration v1
 * ValidatingAdmissionPolicy, so it is 1.30 or newer).
 */
import type { KubeObject } from '../src/rbac/kube-object.js';

type Model = new (data: unknown) => { validate(): void };

/** Throws with the object's kind/name and the schema error when the object is invalid. */
export async function validateAgainstSchema(obj: KubeObject): Promise<void> {
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  let mod: Record<string, Model>;
  try {
    mod = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, Model>;
  } catch {
    throw new Error(`no upstream schema for ${apiVersion} ${kind}`);
  }
  const model = mod[kind];
  try {
    new model(obj).validate();
  } catch (err) {
    throw new Error(`${kind} ${obj.metadata?.name}: ${(err as Error).message}`);
  }
}
