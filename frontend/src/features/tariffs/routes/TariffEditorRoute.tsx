import { Alert, Skeleton } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { LoadFailed, ResourcePage } from "@/components/resource-page/ResourcePage";
import { browserTimeZone } from "@/lib/timezones";
import { useTariff } from "../api/tariffs";
import { TariffEditor } from "../components/TariffEditor";
import { RATES_PATH } from "../lib/paths";
import { blankTariff } from "../lib/templates";
import { draftOf } from "../lib/types";

function NewTariff() {
  // A new tariff starts in the browser's zone, or in UTC when the browser cannot tell.
  const [initial] = useState(() => blankTariff(new Date(), browserTimeZone("UTC")));
  return <TariffEditor key="new" tariffId={null} initial={initial} />;
}

function ExistingTariff({ id }: { id: number }) {
  const tariff = useTariff(id);
  return (
    <ResourcePage
      query={tariff}
      loading={<Skeleton active paragraph={{ rows: 12 }} />}
      failure={(error) => (
        <LoadFailed
          error={error}
          testId="tariff-load-error"
          title="The tariff could not be loaded"
          back={<Link to={RATES_PATH}>Back to the tariffs</Link>}
        />
      )}
    >
      {(loaded) => <TariffEditor key={id} tariffId={id} initial={draftOf(loaded)} />}
    </ResourcePage>
  );
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
