/**
 * Who holds a role's risk: the subjects of the bindings that bind the role, where each grants
 * it and through which binding. A finding on a role nobody binds is a lesser risk.
 */
import type { RiskHolder } from './finding.js';
import type { BindingObject } from './kube-object.js';

/** The holders of a role bound by `bindings`, in binding order. */
export function holdersOf(bindings: readonly BindingObject[]): RiskHolder[] {
  return bindings.flatMap((binding) =>
    binding.subjects.map((subject) => {
      // A ServiceAccount subject without a namespace is the RoleBinding's own namespace.
      const namespace =
        subject.namespace ??
        (subject.kind === 'ServiceAccount' && binding.kind === 'RoleBinding'
          ? binding.namespace
          : undefined);
      return {
        subject: {
          kind: subject.kind,
          name: subject.name,
          ...(namespace !== undefined ? { namespace } : {}),
        },
        namespace: binding.kind === 'RoleBinding' ? binding.namespace : '',
        binding: { kind: binding.kind, name: binding.name, namespace: binding.namespace },
      };
    }),
  );
}

/** `ServiceAccount flux-system/kustomize-controller`, `Group system:masters`. */
export function formatSubject(subject: RiskHolder['subject']): string {
  const ns = subject.namespace ? `${subject.namespace}/` : '';
  return `${subject.kind} ${ns}${subject.name}`;
}

/** `ServiceAccount ci/deployer in 'shop' through RoleBinding shop/deploy`. */
export function formatHolder(holder: RiskHolder): string {
  const b = holder.binding;
  const where = holderScope(holder);
  const binding = b.namespace ? `${b.namespace}/${b.name}` : b.name;
  return `${formatSubject(holder.subject)} ${where} through ${b.kind} ${binding}`;
}

/** `cluster-wide`, `in 'shop'`, or for a RoleBinding without a namespace `in the namespace it is applied to`. */
export function holderScope(holder: RiskHolder): string {
  if (holder.binding.kind === 'ClusterRoleBinding') return 'cluster-wide';
  return holder.namespace === '' ? 'in the namespace it is applied to' : `in '${holder.namespace}'`;
}
