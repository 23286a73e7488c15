import { Alert, Skeleton } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { errorMessage } from "@/api/errors";
import { useTariff } from "../api/tariffs";
import { RATES_PATH, TariffEditor } from "../components/TariffEditor";
import { blankTariff } from "../lib/templates";
import { browserTimeZone } from "../lib/timezones";
import { draftOf } from "../lib/types";

function NewTariff() {
  const [initial] = useState(() => blankTariff(new Date(), browserTimeZone()));
  return <TariffEditor key="new" tariffId={null} initial={initial} />;
}

function ExistingTariff({ id }: { id: number }) {
  const tariff = useTariff(id);
  if (tariff.isPending) return <Skeleton active paragraph={{ rows: 12 }} />;
  if (tariff.isError) {
    return (
      <Alert
        data-testid="tariff-load-error"
        type="error"
        showIcon
        title="The tariff could not be loaded"
        description={
          <>
            {errorMessage(tariff.error)} <Link to={RATES_PATH}>Back to the tariffs</Link>
          </>
        }
      />
    );
  }
  return <TariffEditor key={id} tariffId={id} initial={draftOf(tariff.data)} />;
}

/** /settings/rates/new and /settings/rates/:tariffId */
export function TariffEditorRoute() {
  const { tariffId } = useParams();
  if (!tariffId || tariffId === "new") return <NewTariff />;
  const id = Number(tariffId);
  if (!Number.isInteger(id) || id <= 0) {
    return <Alert type="error" showIcon title={`There is no tariff "${tariffId}".`} />;
  }
  return <ExistingTariff id={id} />;
}
