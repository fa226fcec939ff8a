export * from "./schema";
export * from "./profiles";
export * from "./load";
export * from "./context";
export * from "./sections";
