import { Typography } from "antd";
import { RequireRunMode } from "../components/RequireRunMode";
import { PushStateCard } from "../components/PushStateCard";
import { useRunMode } from "../api/run-mode";
import { CustomerRoute } from "./CustomerRoute";

/** /fleet/push (client mode): where the push to the admin stack stands. */
export function PushStateRoute() {
  // On the admin stack "push" is a valid customer code: /fleet/push is that customer.
  if (useRunMode() === "admin") return <CustomerRoute code="push" />;
  return (
    <RequireRunMode mode="client">
      <Typography.Title level={2}>Fleet push</Typography.Title>
      <PushStateCard />
    </RequireRunMode>
  );
}
