import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Button, Card, Flex, Typography } from "antd";
import { useMemo, useState } from "react";
import { useNow } from "@/components/data-display/use-now";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { hasRole, useMe } from "@/features/auth";
import { useCustomers } from "../api/customers";
import { useFleetEnergy } from "../api/energy";
import { CreateCustomerModal } from "../components/CreateCustomerModal";
import { CustomersTable } from "../components/CustomersTable";
import { CustomerTokenModal } from "../components/CustomerTokenModal";
import { DailyEnergyChart } from "../components/DailyEnergyChart";
import { FleetKpis } from "../components/FleetKpis";
import { NoCustomersYet } from "../components/NoCustomersYet";
import { dayIn, lastDays } from "../lib/days";
import type { CustomerWithToken } from "../types";

type Dialog =
  | { kind: "add" }
  | { kind: "token"; customer: CustomerWithToken; reason: "created" | "rotated" }
  | null;

/** /fleet (admin mode): every customer stack, its freshness, and the fleet's energy. */
export function FleetRoute() {
  const customers = useCustomers();
  const { data: me } = useMe();
  const isAdmin = hasRole(me, "admin");
  const now = useNow();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  // The range follows the UTC day; it moves when the day does, not every tick.
  const today = dayIn(now);
  const range = useMemo(() => lastDays(30, Date.parse(`${today}T12:00:00Z`)), [today]);
  const energy = useFleetEnergy(range);
  const add = () => setDialog({ kind: "add" });

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={2} style={{ margin: 0 }}>
            Fleet
          </Typography.Title>
          <Typography.Text type="secondary">
            The customer stacks that push their readings to this portal.
          </Typography.Text>
        </div>
        <Flex gap={8}>
          <Button
            data-testid="fleet-refresh"
            icon={<ReloadOutlined />}
            loading={customers.isFetching && !customers.isPending}
            onClick={() => void Promise.all([customers.refetch(), energy.refetch()])}
          >
            Reload
          </Button>
          {isAdmin && (
            <Button data-testid="add-customer" type="primary" icon={<PlusOutlined />} onClick={add}>
              Add customer
            </Button>
          )}
        </Flex>
      </Flex>

      <QueryError
        query={customers}
        testId="customers-error"
        title="The customers could not be loaded"
        style={{ marginBottom: 16 }}
      />

      {!customers.isError && <FleetKpis customers={customers.data} />}

      <div style={{ marginBottom: 16 }}>
        <DailyEnergyChart
          title="Fleet energy per day"
          basis="last 30 days, UTC days, every customer"
          testId="fleet-energy-chart"
          exportId="fleet-energy"
          fileName="fleet"
          range={range}
          query={energy}
          emptyText="No energy pushed in the last 30 days"
        />
      </div>

      <Card title="Customers" styles={{ body: { padding: 0 } }}>
        <CustomersTable
          customers={customers.data}
          loading={customers.isPending && !customers.isError}
          now={now}
          isAdmin={isAdmin}
          empty={
            <div style={{ padding: 24 }}>
              <NoCustomersYet isAdmin={isAdmin} onAdd={add} />
            </div>
          }
          onRotated={(customer) => setDialog({ kind: "token", customer, reason: "rotated" })}
        />
      </Card>

      {dialog?.kind === "add" && (
        <CreateCustomerModal
          onClose={close}
          onCreated={(customer) => setDialog({ kind: "token", customer, reason: "created" })}
        />
      )}
      {dialog?.kind === "token" && (
        <CustomerTokenModal customer={dialog.customer} reason={dialog.reason} onClose={close} />
      )}
    </>
  );
}
