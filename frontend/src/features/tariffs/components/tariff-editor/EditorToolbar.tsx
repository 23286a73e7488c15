import { ArrowLeftOutlined, SaveOutlined } from "@ant-design/icons";
import { Button, Flex, Tag, theme, Typography } from "antd";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { RATES_PATH } from "../../lib/paths";

type EditorToolbarProps = {
  title: string;
  /** A tariff not created yet: "Create tariff", and saving needs no changes. */
  isNew: boolean;
  dirty: boolean;
  saving: boolean;
  onSave: () => void;
  /** The validation badge and the template menu, before the save button. */
  children: ReactNode;
};

/** The editor's top row: back link, title, unsaved-changes tag; then its actions. */
export function EditorToolbar({
  title,
  isNew,
  dirty,
  saving,
  onSave,
  children,
}: EditorToolbarProps) {
  const { token } = theme.useToken();
  return (
    <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 16 }}>
      <Flex align="center" gap={12}>
        <Link to={RATES_PATH} aria-label="Back to the tariffs">
          <ArrowLeftOutlined />
        </Link>
        {/* The page's one level-one heading, at the size the editor had. */}
        <Typography.Title
          level={1}
          style={{ margin: 0, fontSize: token.fontSizeHeading3 }}
          data-testid="tariff-editor-title"
        >
          {title}
        </Typography.Title>
        {dirty && (
          <Tag color="gold" data-testid="tariff-dirty">
            Unsaved changes
          </Tag>
        )}
      </Flex>
      <Flex align="center" gap={8} wrap>
        {children}
        <Button
          data-testid="tariff-save"
          type="primary"
          icon={<SaveOutlined />}
          loading={saving}
          disabled={!isNew && !dirty}
          onClick={onSave}
        >
          {isNew ? "Create tariff" : "Save"}
        </Button>
      </Flex>
    </Flex>
  );
}
