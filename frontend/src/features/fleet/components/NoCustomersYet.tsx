import { PlusOutlined } from "@ant-design/icons";
import { Button, Empty, Flex, Typography } from "antd";

/** The customers table before anyone registered a stack. */
export function NoCustomersYet({ isAdmin, onAdd }: { isAdmin: boolean; onAdd?: () => void }) {
  return (
    <Empty
      data-testid="customers-empty"
      description={
        <Flex vertical gap={4} align="center">
          <Typography.Text strong>No customers yet</Typography.Text>
          <Typography.Text type="secondary">
            {isAdmin ? "Add one" : "An administrator adds one"} and put its token in the customer
            stack&apos;s <Typography.Text code>PORTAL_FLEET__CUSTOMER_TOKEN</Typography.Text>.
          </Typography.Text>
        </Flex>
      }
    >
      {isAdmin && onAdd && (
        <Button type="primary" icon={<PlusOutlined />} onClick={onAdd}>
          Add customer
        </Button>
      )}
    </Empty>
  );
}
