/**
 * The outcome of a policy question. `reason` is short human text for the audit log ("no Allow
 * statement matches", "statements[3] denies", "keys[2] context dept≠payroll"): it names principals,
 * statements, grants and key ids, never key material or the caller's context values.
 */
export interface Decision {
  allowed: boolean;
  reason: string;
}
