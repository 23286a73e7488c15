import { Table, Tag } from "antd";
import type { TableColumnsType } from "antd";
import type { HTMLAttributes } from "react";
import type { User } from "@/api/types";
import { roleLabels } from "@/features/auth";
import { testId } from "@/lib/test-id";
import { formatDateTime } from "../lib/format";
import { UserActions } from "./UserActions";
import { UserStatusTags } from "./UserStatusTags";

type UsersTableProps = {
  users: User[] | undefined;
  loading: boolean;
  currentUserId: number | undefined;
  onEdit: (user: User) => void;
  onResetPassword: (user: User) => void;
};

export function UsersTable({
  users,
  loading,
  currentUserId,
  onEdit,
  onResetPassword,
}: UsersTableProps) {
  const columns: TableColumnsType<User> = [
    {
      key: "name",
      title: "Name",
      dataIndex: "name",
      render: (name: string, user) => (
        <>
          <span data-testid="user-name-cell">{name}</span>
          {user.id === currentUserId && <Tag style={{ marginInlineStart: 8 }}>you</Tag>}
        </>
      ),
    },
    { key: "email", title: "E-mail", dataIndex: "email" },
    {
      key: "role",
      title: "Role",
      dataIndex: "role",
      render: (role: User["role"]) => (
        <Tag data-testid="user-role-cell" color={role === "admin" ? "gold" : "blue"}>
          {roleLabels[role]}
        </Tag>
      ),
    },
    {
      key: "status",
      title: "Status",
      render: (_, user) => <UserStatusTags user={user} />,
    },
    {
      key: "last_login_at",
      title: "Last login",
      dataIndex: "last_login_at",
      render: (value: string | null) => formatDateTime(value),
    },
    {
      key: "actions",
      title: "Actions",
      render: (_, user) => (
        <UserActions
          user={user}
          isSelf={user.id === currentUserId}
          onEdit={onEdit}
          onResetPassword={onResetPassword}
        />
      ),
    },
  ];

  return (
    <div data-testid="users-table">
      <Table<User>
        rowKey="id"
        columns={columns}
        dataSource={users}
        loading={loading}
        pagination={false}
        scroll={{ x: "max-content" }}
        onRow={(user) => testId(`user-row-${user.email}`) as HTMLAttributes<HTMLElement>}
      />
    </div>
  );
}
