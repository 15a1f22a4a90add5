/** `csr-approval`: approving CertificateSigningRequests. */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

const CERTIFICATES = 'certificates.k8s.io';

/** The description of `csr-approval`. */
export const CSR_APPROVAL: RiskRuleInfo = {
  id: 'csr-approval',
  severity: 'error',
  title: 'approve certificate signing requests',
  scope: 'rule',
  explanation:
    'approving a CSR (update on certificatesigningrequests/approval together with approve on the signer) issues a client certificate for any user or group the request names, e.g. system:masters; either half is reported because the other may be granted elsewhere',
  fix: 'leave approval to the controller manager or a dedicated approver; if needed, restrict approve on signers with resourceNames to your own signer',
  requests: [
    ...requestsOf(['update', 'patch'], CERTIFICATES, ['certificatesigningrequests/approval']),
    ...requestsOf(['approve'], CERTIFICATES, ['signers']),
  ],
};

/** Reports a rule that allows approving CSRs. */
export const csrApproval: PolicyRuleCheck = probeCheck(CSR_APPROVAL);
