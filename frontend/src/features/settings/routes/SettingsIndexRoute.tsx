import { Empty } from "antd";
import { Navigate } from "react-router";
import { useMe } from "@/features/auth";
import { settingsTabPath, visibleSettingsTabs } from "../config/tabs";

/** /settings: open the first tab this user may see. */
export function SettingsIndexRoute() {
  const { data: user } = useMe();
  const [first] = visibleSettingsTabs(user?.role);
  if (first) return <Navigate to={settingsTabPath(first)} replace />;
  return (
    <Empty
      data-testid="settings-empty"
      description="There are no settings you can change. Ask an administrator."
    />
  );
}
