export { UsersRoute } from "./routes/UsersRoute";
export { useUsers, usersQueryKey, usersQueryOptions, getUsers } from "./api/get-users";
export {
  useCreateUser,
  useUpdateUser,
  useDeleteUser,
  useUnlockUser,
  useResetUserPassword,
} from "./api/mutations";
