/** The recharge rule: its form values, what is sent, and a one-line summary. */
import type { Apportion, RechargeRule, RuleKind, Tenant, TenantWrite } from "../types";

export const RULE_KIND_LABELS: Record<RuleKind, string> = {
  pass_through: "Pass-through of the site tariff",
  own_tariff: "Own tariff",
};

export const APPORTION_LABELS: Record<Apportion, string> = {
  energy: "Share of energy",
  coincident_demand: "Share of coincident demand at the site's peak",
  fixed_shares: "Fixed share",
};

/** What the tenant form holds (antd InputNumber gives `null` for empty). */
export type TenantFormValues = {
  name: string;
  reference?: string | null;
  contact_email?: string | null;
  kind: RuleKind;
  tariff_id?: number | null;
  apportion?: Apportion | null;
  fixed_share_percent?: number | null;
  markup_percent?: number | null;
  markup_cap?: number | null;
  admin_fee?: number | null;
};

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The request body for the form's values: fields that do not apply to the rule's kind are
 * sent as `null` (a tariff only for `own_tariff`, apportioning only for `pass_through`, a
 * share only for `fixed_shares`); an empty mark-up or fee is 0.
 */
export function tenantWriteFromForm(values: TenantFormValues): TenantWrite {
  const passThrough = values.kind === "pass_through";
  const apportion = passThrough ? (values.apportion ?? "energy") : null;
  const rule: RechargeRule = {
    kind: values.kind,
    tariff_id: values.kind === "own_tariff" ? (values.tariff_id ?? null) : null,
    apportion,
    fixed_share_percent: apportion === "fixed_shares" ? (values.fixed_share_percent ?? null) : null,
    markup_percent: values.markup_percent ?? 0,
    markup_cap: values.markup_cap ?? null,
    admin_fee: values.admin_fee ?? 0,
  };
  return {
    name: values.name.trim(),
    reference: blankToNull(values.reference),
    contact_email: blankToNull(values.contact_email),
    rule,
  };
}

/** The form's values for an existing tenant (or the defaults for a new one). */
export function formFromTenant(tenant?: Tenant): TenantFormValues {
  if (!tenant)
    return {
      name: "",
      kind: "pass_through",
      apportion: "energy",
      markup_percent: 0,
      admin_fee: 0,
    };
  return {
    name: tenant.name,
    reference: tenant.reference,
    contact_email: tenant.contact_email,
    kind: tenant.rule.kind,
    tariff_id: tenant.rule.tariff_id,
    apportion: tenant.rule.apportion,
    fixed_share_percent: tenant.rule.fixed_share_percent,
    markup_percent: tenant.rule.markup_percent,
    markup_cap: tenant.rule.markup_cap,
    admin_fee: tenant.rule.admin_fee,
  };
}

const TWO = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * "Pass-through · demand by coincident demand · mark-up 5 % (cap 500.00) · fee 150.00";
 * "Own tariff: Megaflex".
 */
export function ruleSummary(rule: RechargeRule, tariffName?: string): string {
  const parts: string[] = [];
  if (rule.kind === "own_tariff") {
    parts.push(`Own tariff${tariffName ? `: ${tariffName}` : ""}`);
  } else {
    const apportion = rule.apportion ?? "energy";
    parts.push(
      apportion === "fixed_shares"
        ? `Pass-through · fixed share ${rule.fixed_share_percent ?? 0} %`
        : `Pass-through · by ${apportion === "energy" ? "energy" : "coincident demand"}`,
    );
  }
  if (rule.markup_percent > 0) {
    const cap = rule.markup_cap == null ? "" : ` (cap ${TWO.format(rule.markup_cap)})`;
    parts.push(`mark-up ${rule.markup_percent} %${cap}`);
  }
  if (rule.admin_fee > 0) parts.push(`fee ${TWO.format(rule.admin_fee)}`);
  return parts.join(" · ");
}
