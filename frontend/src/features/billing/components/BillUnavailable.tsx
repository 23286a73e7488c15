import { Result } from "antd";
import { Link } from "react-router";
import type { Unavailable } from "../lib/format";

type BillUnavailableProps = {
  unavailable: Unavailable;
  /** Admins get links to fix it; viewers are told whom to ask. */
  canEditTariffs: boolean;
  /** The site's tariff, for "no version covers": link straight to its editor. */
  tariffId?: number | null;
};

/** Friendly 409s: the site has no tariff, or its tariff has no version for the dates. */
export function BillUnavailable({ unavailable, canEditTariffs, tariffId }: BillUnavailableProps) {
  if (unavailable.reason === "no-tariff") {
    return (
      <Result
        data-testid="bill-no-tariff"
        status="info"
        title="This site has no tariff yet"
        subTitle="A bill needs the site's rates: create a tariff and assign it to the site."
        extra={
          canEditTariffs ? (
            <Link to="/settings/rates" data-testid="bill-go-to-rates">
              Go to Settings → Rates
            </Link>
          ) : (
            "Ask an administrator to assign a tariff in Settings → Rates."
          )
        }
      />
    );
  }
  if (unavailable.reason === "no-version") {
    return (
      <Result
        data-testid="bill-no-version"
        status="warning"
        title="The tariff has no rates for this period"
        subTitle={`${unavailable.detail}. Add a tariff version that is in force then.`}
        extra={
          canEditTariffs && tariffId ? (
            <Link to={`/settings/rates/${tariffId}`} data-testid="bill-go-to-tariff">
              Edit the tariff
            </Link>
          ) : null
        }
      />
    );
  }
  return (
    <Result
      data-testid="bill-unavailable"
      status="warning"
      title="This bill cannot be calculated"
      subTitle={unavailable.detail}
    />
  );
}
