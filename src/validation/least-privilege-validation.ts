/**
 * `LeastPrivilegeValidation`: the least-privilege lint as a cdk8s CLI validation plugin, so that
 * `cdk8s synth` fails on unacknowledged risks in every manifest of an app, also those not built
 * with our constructs (plain cdk8s-plus Roles, imported Helm charts). The cdk8s CLI loads the
 * class named in `cdk8s.yaml` with `require`, constructs it with the entry's `properties` and
 * calls `validate(context)`.
 *
 * @see https://cdk8s.io/docs/latest/cli/synth/#validation-plugins
 */
import { readFileSync } from 'node:fs';
import type {
  FileAcknowledgement,
  parseAcknowledgementFile as ParseAcknowledgementFile,
} from '../rbac/acknowledgement-file.js';
import type { Finding } from '../rbac/finding.js';
import type { KubeObject } from '../rbac/kube-object.js';
import { lintManifests } from '../rbac/lint.js';

/** One acknowledgement, as in `access-tokens lint --acknowledgements FILE`. */
export interface ValidationAcknowledgement {
  /** The risk rule's id, e.g. `secrets-read`. */
  readonly rule: string;
  /** The object: `Kind/name`, `Kind/namespace/name`, or `{ kind, namespace?, name }`; globs allowed. */
  readonly object:
    | string
    | {
        /** The object's kind, e.g. `Role`. */
        readonly kind: string;
        /** The object's namespace; `''` for cluster-scoped objects. @default '*' */
        readonly namespace?: string;
        /** The object's name. */
        readonly name: string;
      };
  /** Why the risk is accepted, for reviewers: at least 10 characters. */
  readonly reason: string;
}

/** The `properties` of the plugin's entry in `cdk8s.yaml`. */
export interface LeastPrivilegeValidationProps {
  /**
   * The lowest severity that fails the synth: `error`, or `warning` for a stricter gate.
   * @default 'error'
   */
  readonly failOn?: 'error' | 'warning';
  /**
   * Run only these risk rules (ids).
   * @default - every rule
   */
  readonly enable?: readonly string[];
  /**
   * Do not run these risk rules (ids).
   * @default - none
   */
  readonly disable?: readonly string[];
  /**
   * Acknowledged risks of objects nobody may edit (a third-party chart), each with a reason.
   * @default - none
   */
  readonly acknowledgements?: readonly ValidationAcknowledgement[];
  /**
   * An acknowledgement file (the lint's `--acknowledgements` format), relative to the folder
   * `cdk8s synth` runs in.
   * @default - none
   */
  readonly acknowledgementsFile?: string;
}

/** What the cdk8s CLI hands a plugin (its `ValidationContext`), as far as this plugin uses it. */
export interface ValidationContextLike {
  /** The synthesized manifest files. */
  readonly manifests: readonly string[];
  /** Parses one manifest file into its objects. */
  parseManifest(manifestPath: string): unknown[];
  /** The report to fill and submit. */
  readonly report: {
    /** Adds one violated rule with the resources that violate it. */
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: readonly {
        readonly resourceName: string;
        readonly locations: readonly string[];
        readonly manifestPath: string;
      }[];
    }): void;
    /** Ends the report: `failure` fails the synth. */
    submit(status: 'success' | 'failure', metadata?: Readonly<Record<string, string>>): void;
  };
  /** Where the plugin's messages go. */
  readonly logger: {
    /** Logs one message. */
    log(message: string): void;
  };
}

function resourceName(f: Finding): string {
  const l = f.location;
  return l ? [l.kind, l.namespace, l.name].filter((p) => p !== '').join('/') : '';
}

/** The least-privilege lint as a cdk8s validation plugin (`validations:` in `cdk8s.yaml`). */
export class LeastPrivilegeValidation {
  /** The lowest severity that fails the synth. */
  public readonly failOn: 'error' | 'warning';
  private readonly props: LeastPrivilegeValidationProps;

  constructor(props: LeastPrivilegeValidationProps = {}) {
    const failOn = props.failOn ?? 'error';
    if (failOn !== 'error' && failOn !== 'warning') {
      throw new Error(
        `LeastPrivilegeValidation: failOn must be 'error' or 'warning', got '${String(failOn)}'`,
      );
    }
    this.failOn = failOn;
    this.props = props;
  }

  /** Lints every manifest of the app and reports each unacknowledged finding as a violation. */
  public async validate(context: ValidationContextLike): Promise<void> {
    const objects: KubeObject[] = [];
    const sources = new Map<KubeObject, string>();
    for (const manifest of context.manifests) {
      for (const o of context.parseManifest(manifest)) {
        if (typeof o !== 'object' || o === null) continue;
        objects.push(o as KubeObject);
        sources.set(o as KubeObject, manifest);
      }
    }
    // Loaded here, not with the package: it brings js-yaml (~10 ms of every cdk8s app's start,
    // bench/README.md), which only this plugin's acknowledgements need.
    const { applyFileAcknowledgements, formatFileAcknowledgement, parseAcknowledgementFile } =
      await import('../rbac/acknowledgement-file.js');
    const acknowledgements = this.acknowledgements(parseAcknowledgementFile);
    const linted = lintManifests(objects, {
      sources,
      ...(this.props.enable ? { enable: this.props.enable } : {}),
      ...(this.props.disable ? { disable: this.props.disable } : {}),
    });
    const { findings, stale } = applyFileAcknowledgements(linted.findings, acknowledgements);
    for (const ack of stale) {
      context.logger.log(
        `stale acknowledgement (matches nothing): ${formatFileAcknowledgement(ack)}`,
      );
    }
    for (const problem of linted.problems) {
      context.logger.log(`rejected acknowledgement: ${problem.message}`);
    }
    const failing = findings.filter(
      (f) =>
        f.acknowledgedReason === undefined && (this.failOn === 'warning' || f.severity === 'error'),
    );
    const byRule = new Map<string, Finding[]>();
    for (const f of failing) byRule.set(f.id, [...(byRule.get(f.id) ?? []), f]);
    for (const [rule, group] of byRule) {
      context.report.addViolation({
        ruleName: rule,
        recommendation: `${group[0].explanation} (${group.map((f) => f.message).join('; ')})`,
        fix: group[0].fix,
        violatingResources: group.map((f) => ({
          resourceName: resourceName(f),
          locations: f.location?.ruleIndex !== undefined ? [`rules[${f.location.ruleIndex}]`] : [],
          manifestPath: f.location?.source ?? '',
        })),
      });
    }
    const acknowledged = findings.filter((f) => f.acknowledgedReason !== undefined).length;
    context.report.submit(failing.length > 0 ? 'failure' : 'success', {
      objects: String(objects.length),
      violations: String(failing.length),
      acknowledged: String(acknowledged),
    });
  }

  /** The acknowledgements of the properties and of the file, checked like the lint's file. */
  private acknowledgements(
    parseAcknowledgementFile: typeof ParseAcknowledgementFile,
  ): FileAcknowledgement[] {
    const parsed = [
      ...(this.props.acknowledgements
        ? [
            parseAcknowledgementFile(
              JSON.stringify({ acknowledgements: this.props.acknowledgements }),
              'LeastPrivilegeValidation properties',
            ),
          ]
        : []),
      ...(this.props.acknowledgementsFile
        ? [
            parseAcknowledgementFile(
              readFileSync(this.props.acknowledgementsFile, 'utf8'),
              this.props.acknowledgementsFile,
            ),
          ]
        : []),
    ];
    const problems = parsed.flatMap((p) => p.problems);
    if (problems.length > 0) {
      throw new Error(`LeastPrivilegeValidation: ${problems.join('; ')}`);
    }
    return parsed.flatMap((p) => [...p.acknowledgements]);
  }
}
