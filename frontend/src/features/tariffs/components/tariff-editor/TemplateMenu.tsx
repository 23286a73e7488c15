import { AppstoreAddOutlined } from "@ant-design/icons";
import { Button, Dropdown } from "antd";
import { eskomTouTemplate, flatRateTemplate } from "../../lib/templates";
import type { TariffDraft } from "../../lib/types";

type TemplateMenuProps = {
  /** The flat rate starts today in the tariff's zone. */
  timezone: string;
  onPick: (template: TariffDraft) => void;
};

const ITEMS = [
  {
    key: "eskom",
    label: <span data-testid="template-eskom">Eskom-style time of use (high/low season)</span>,
  },
  { key: "flat", label: <span data-testid="template-flat">Flat rate, all day every day</span> },
];

/** "Start from template": a ready-made tariff to adjust. */
export function TemplateMenu({ timezone, onPick }: TemplateMenuProps) {
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        items: ITEMS,
        onClick: ({ key }) =>
          onPick(key === "eskom" ? eskomTouTemplate() : flatRateTemplate(new Date(), timezone)),
      }}
    >
      <Button data-testid="tariff-template" icon={<AppstoreAddOutlined />}>
        Start from template
      </Button>
    </Dropdown>
  );
}
