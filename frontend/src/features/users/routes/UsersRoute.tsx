import { PlusOutlined, ReloadOutlined } from "@ant-design/icons";
import { Button, Flex, Typography } from "antd";
import { useState } from "react";
import type { User } from "@/api/types";
import { QueryError } from "@/components/resource-page/ResourcePage";
import { useMe } from "@/features/auth";
import { useUsers } from "../api/get-users";
import { CreateUserModal } from "../components/CreateUserModal";
import { EditUserModal } from "../components/EditUserModal";
import { ResetPasswordModal } from "../components/ResetPasswordModal";
import { UsersTable } from "../components/UsersTable";

type Dialog =
  { kind: "create" } | { kind: "edit"; user: User } | { kind: "reset-password"; user: User } | null;

/** Settings → Users (admin only; the route guards it). */
export function UsersRoute() {
  const users = useUsers();
  const { data: me } = useMe();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          People who can log in to the portal. Viewers can look; admins can also change settings.
        </Typography.Paragraph>
        <Flex gap={8}>
          <Button
            data-testid="users-refresh"
            icon={<ReloadOutlined />}
            loading={users.isFetching && !users.isPending}
            onClick={() => void users.refetch()}
          >
            Reload
          </Button>
          <Button
            data-testid="create-user"
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDialog({ kind: "create" })}
          >
            Create user
          </Button>
        </Flex>
      </Flex>
      <QueryError
        query={users}
        testId="users-error"
        title="The users could not be loaded"
        style={{ marginBottom: 16 }}
      />
      <UsersTable
        users={users.data}
        loading={users.isPending && !users.isError}
        currentUserId={me?.id}
        onEdit={(user) => setDialog({ kind: "edit", user })}
        onResetPassword={(user) => setDialog({ kind: "reset-password", user })}
      />
      {dialog?.kind === "create" && <CreateUserModal onClose={close} />}
      {dialog?.kind === "edit" && <EditUserModal user={dialog.user} onClose={close} />}
      {dialog?.kind === "reset-password" && (
        <ResetPasswordModal user={dialog.user} onClose={close} />
      )}
    </>
  );
}
