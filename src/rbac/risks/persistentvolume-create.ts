/** `persistentvolume-create`: creating PersistentVolumes. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `persistentvolume-create`. */
export const PERSISTENTVOLUME_CREATE: RiskRuleInfo = {
  id: 'persistentvolume-create',
  severity: 'error',
  title: 'create persistentvolumes',
  scope: 'rule',
  explanation:
    "a PersistentVolume can be a hostPath volume, so creating one and claiming it mounts any directory of a node, including the kubelet's credentials",
  fix: 'provision volumes through a StorageClass and grant only persistentvolumeclaims',
  requests: requestsOf(['create'], '', ['persistentvolumes']),
};

/** Reports a rule that allows creating PersistentVolumes. */
export const persistentvolumeCreate: PolicyRuleCheck = probeCheck(PERSISTENTVOLUME_CREATE);
