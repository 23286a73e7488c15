export { settingsTabs, settingsTabPath, visibleSettingsTabs } from "./config/tabs";
export type { SettingsTab } from "./config/tabs";
export { SettingsLayoutRoute } from "./routes/SettingsLayoutRoute";
export { SettingsIndexRoute } from "./routes/SettingsIndexRoute";
