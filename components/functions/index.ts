export * from "./types";
export * from "./bundle";
export * from "./function";
