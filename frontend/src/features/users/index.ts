export { UsersRoute } from "./routes/UsersRoute";
export { useUsers, usersQueryOptions, getUsers } from "./api/get-users";
export { userKeys } from "./api/keys";
export {
  useCreateUser,
  useUpdateUser,
  useDeleteUser,
  useUnlockUser,
  useResetUserPassword,
} from "./api/mutations";
