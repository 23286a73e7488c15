import { DownOutlined, LogoutOutlined, UserOutlined } from "@ant-design/icons";
import { App, Button, Dropdown, Space, Tag } from "antd";
import type { MenuProps } from "antd";
import { errorMessage } from "@/api/errors";
import type { User } from "@/api/types";
import { useLogout, useLogoutEverywhere } from "../api/logout";
import { roleLabels } from "../lib/roles";

/** The header's account menu: who is signed in, and the ways out. */
export function UserMenu({ user }: { user: User }) {
  const { message } = App.useApp();
  const logout = useLogout();
  const logoutEverywhere = useLogoutEverywhere();

  const items: MenuProps["items"] = [
    {
      key: "who",
      disabled: true,
      label: <span data-testid="user-menu-email">{user.email}</span>,
    },
    { type: "divider" },
    {
      key: "logout",
      icon: <LogoutOutlined />,
      label: <span data-testid="logout">Log out</span>,
    },
    {
      key: "logout-all",
      icon: <LogoutOutlined />,
      label: <span data-testid="logout-all">Log out everywhere</span>,
    },
  ];

  const onClick: MenuProps["onClick"] = ({ key }) => {
    if (key === "logout") {
      logout.mutate(undefined, {
        onError: (error) => void message.error(errorMessage(error)),
      });
    } else if (key === "logout-all") {
      logoutEverywhere.mutate(undefined, {
        onSuccess: ({ sessions_ended }) =>
          void message.success(
            `Signed out of ${sessions_ended} session${sessions_ended === 1 ? "" : "s"}`,
          ),
        onError: (error) => void message.error(errorMessage(error)),
      });
    }
  };

  return (
    <Dropdown menu={{ items, onClick }} trigger={["click"]} placement="bottomRight">
      <Button
        data-testid="user-menu"
        type="text"
        loading={logout.isPending || logoutEverywhere.isPending}
        style={{ color: "#fff" }}
      >
        <Space size={8}>
          <UserOutlined />
          <span data-testid="user-name">{user.name}</span>
          <Tag data-testid="user-role" color={user.role === "admin" ? "gold" : "blue"}>
            {roleLabels[user.role]}
          </Tag>
          <DownOutlined style={{ fontSize: 10 }} />
        </Space>
      </Button>
    </Dropdown>
  );
}
