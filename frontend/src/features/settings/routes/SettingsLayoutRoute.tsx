import { Tabs, Typography } from "antd";
import { Outlet, useLocation, useNavigate } from "react-router";
import { useMe } from "@/features/auth";
import { settingsTabPath, visibleSettingsTabs } from "../config/tabs";

/** /settings/*: a tab bar driven by the URL, the tab's route below it. */
export function SettingsLayoutRoute() {
  const { data: user } = useMe();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const tabs = visibleSettingsTabs(user?.role);
  const activeKey = pathname.split("/")[2];

  return (
    <>
      <Typography.Title level={2}>Settings</Typography.Title>
      {tabs.length > 0 && (
        <Tabs
          data-testid="settings-tabs"
          activeKey={tabs.some((tab) => tab.key === activeKey) ? activeKey : undefined}
          onChange={(key) => void navigate(settingsTabPath({ key }))}
          items={tabs.map((tab) => ({ key: tab.key, label: tab.label }))}
        />
      )}
      <Outlet />
    </>
  );
}
