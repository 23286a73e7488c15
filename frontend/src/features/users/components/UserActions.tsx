import { App, Button, Popconfirm, Space, Tooltip } from "antd";
import { errorMessage } from "@/api/errors";
import type { User } from "@/api/types";
import { useDeleteUser, useUnlockUser, useUpdateUser } from "../api/mutations";

type UserActionsProps = {
  user: User;
  /** The signed-in admin: they may not deactivate or delete themselves here. */
  isSelf: boolean;
  onEdit: (user: User) => void;
  onResetPassword: (user: User) => void;
};

export function UserActions({ user, isSelf, onEdit, onResetPassword }: UserActionsProps) {
  const { message } = App.useApp();
  const updateUser = useUpdateUser();
  const unlockUser = useUnlockUser();
  const deleteUser = useDeleteUser();
  const onError = (error: unknown) => void message.error(errorMessage(error));
  const selfReason = isSelf ? "You cannot do this to your own account" : undefined;

  return (
    <Space size={4} wrap>
      <Button size="small" data-testid="user-edit" onClick={() => onEdit(user)}>
        Edit
      </Button>
      {user.is_locked && (
        <Button
          size="small"
          data-testid="user-unlock"
          loading={unlockUser.isPending}
          onClick={() =>
            unlockUser.mutate(user.id, {
              onSuccess: () => void message.success(`Unlocked ${user.email}`),
              onError,
            })
          }
        >
          Unlock
        </Button>
      )}
      {user.is_active ? (
        <Tooltip title={selfReason}>
          <Popconfirm
            title={`Deactivate ${user.email}?`}
            description="They cannot log in until activated again; their sessions end now."
            okText="Deactivate"
            okButtonProps={{ "data-testid": "user-deactivate-confirm" }}
            disabled={isSelf}
            onConfirm={() =>
              updateUser
                .mutateAsync({ id: user.id, is_active: false })
                .then(() => void message.success(`Deactivated ${user.email}`), onError)
            }
          >
            <Button
              size="small"
              data-testid="user-deactivate"
              disabled={isSelf}
              loading={updateUser.isPending}
            >
              Deactivate
            </Button>
          </Popconfirm>
        </Tooltip>
      ) : (
        <Button
          size="small"
          data-testid="user-activate"
          loading={updateUser.isPending}
          onClick={() =>
            updateUser.mutate(
              { id: user.id, is_active: true },
              { onSuccess: () => void message.success(`Activated ${user.email}`), onError },
            )
          }
        >
          Activate
        </Button>
      )}
      <Button size="small" data-testid="user-reset-password" onClick={() => onResetPassword(user)}>
        Reset password
      </Button>
      <Tooltip title={selfReason}>
        <Popconfirm
          title={`Delete ${user.email}?`}
          description="This cannot be undone."
          okText="Delete"
          okButtonProps={{ danger: true, "data-testid": "user-delete-confirm" }}
          disabled={isSelf}
          onConfirm={() =>
            deleteUser
              .mutateAsync(user.id)
              .then(() => void message.success(`Deleted ${user.email}`), onError)
          }
        >
          <Button
            size="small"
            danger
            data-testid="user-delete"
            disabled={isSelf}
            loading={deleteUser.isPending}
          >
            Delete
          </Button>
        </Popconfirm>
      </Tooltip>
    </Space>
  );
}
