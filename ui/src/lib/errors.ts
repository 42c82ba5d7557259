import type { FieldIssue } from './bindings';
import { HostError } from './host';
import { errorMessage, issueMessage } from './i18n';

export interface FormErrors {
  /** For the banner at the top: anything that is not about one of the form's fields. */
  banner: string | null;
  /** Shown next to their fields. */
  issues: FieldIssue[];
}

export const noErrors: FormErrors = { banner: null, issues: [] };

/**
 * Splits a failed command into field errors (for the fields this form shows) and a banner
 * (everything else), all in the current language.
 */
export function formErrors(error: unknown, fields: readonly string[]): FormErrors {
  const payload = HostError.from(error).payload;
  if (payload.code !== 'invalid_input') return { banner: errorMessage(error), issues: [] };
  const shown = (i: FieldIssue) => fields.some((f) => i.field === f || i.field.startsWith(`${f}[`));
  const issues = payload.issues.filter(shown);
  const others = payload.issues.filter((i) => !shown(i));
  const banner = others.length
    ? `${errorMessage(error)} ${others.map((i) => `${i.field}: ${issueMessage(i)}`).join('; ')}`
    : issues.length === 0
      ? errorMessage(error)
      : null;
  return { banner, issues };
}
