import { Tag, Tooltip } from "antd";
import type { User } from "@/api/types";
import { formatDateTime } from "../lib/format";

export function UserStatusTags({ user }: { user: User }) {
  return (
    <>
      {user.is_active ? (
        <Tag data-testid="user-status-active" color="green">
          active
        </Tag>
      ) : (
        <Tag data-testid="user-status-inactive">inactive</Tag>
      )}
      {user.is_locked && (
        <Tooltip
          title={
            user.locked_until
              ? `Too many failed logins; locked until ${formatDateTime(user.locked_until)}`
              : "Too many failed logins"
          }
        >
          <Tag data-testid="user-status-locked" color="red">
            locked
          </Tag>
        </Tooltip>
      )}
    </>
  );
}
