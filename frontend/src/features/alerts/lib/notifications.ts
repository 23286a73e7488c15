/** The notification forms: preferences and SMTP settings ↔ what the API reads and takes. */
import type {
  Preferences,
  PreferencesWrite,
  Severity,
  SmtpSecurity,
  SmtpSettings,
  SmtpWrite,
} from "../types";
import { sortSeverities } from "./severity";

export type PreferencesFormValues = {
  email: boolean;
  severities: Severity[];
  /** "all": every site (`site_ids: null`); "chosen": those in `site_ids`. */
  sites: "all" | "chosen";
  site_ids?: number[];
};

export function preferencesForm(prefs: Preferences): PreferencesFormValues {
  return {
    email: prefs.email,
    severities: [...(prefs.severities ?? [])],
    sites: prefs.site_ids === null || prefs.site_ids === undefined ? "all" : "chosen",
    site_ids: prefs.site_ids ?? [],
  };
}

export function preferencesWrite(values: PreferencesFormValues): PreferencesWrite {
  return {
    email: values.email,
    severities: sortSeverities(values.severities ?? []),
    site_ids: values.sites === "all" ? null : [...(values.site_ids ?? [])],
  };
}

export const SECURITY_LABELS: Record<SmtpSecurity, string> = {
  starttls: "STARTTLS (usually port 587)",
  tls: "Implicit TLS (usually port 465)",
  none: "None (a relay on a trusted network)",
};

export const SMTP_SOURCE_LABELS: Record<SmtpSettings["source"], string> = {
  environment: "From the environment (PORTAL_SMTP__*) until saved here",
  app: "Saved in the portal",
  none: "Not set up: no e-mail is sent",
};

export type SmtpFormValues = {
  host: string;
  port: number;
  security: SmtpSecurity;
  username?: string | null;
  /** A new password (empty: keep the stored one). */
  password?: string | null;
  clear_password: boolean;
  from_address: string;
  from_name?: string | null;
};

export function smtpForm(smtp: SmtpSettings): SmtpFormValues {
  return {
    host: smtp.host ?? "",
    port: smtp.port,
    security: smtp.security,
    username: smtp.username ?? "",
    password: "",
    clear_password: false,
    from_address: smtp.from_address ?? "",
    from_name: smtp.from_name ?? "",
  };
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * PUT /api/notification-channels/smtp: the password only when a new one is typed (empty: the
 * stored one stays, unless "clear password" is ticked).
 */
export function smtpWrite(values: SmtpFormValues): SmtpWrite {
  const password = values.password ? values.password : null;
  return {
    host: values.host.trim(),
    port: values.port,
    security: values.security,
    username: blankToNull(values.username),
    password: values.clear_password ? null : password,
    clear_password: values.clear_password && !password,
    from_address: values.from_address.trim(),
    from_name: blankToNull(values.from_name),
  };
}
