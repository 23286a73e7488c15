export { NotFoundRoute } from "./routes/NotFoundRoute";
