export * from "./config";
export * from "./documents";
export { Warehouse, WarehouseArgs } from "./Warehouse";
export { physicalName as warehousePhysicalName, CopySource } from "./engines";
export { renderScripts, scriptsChecksum, splitStatements, martsSchema, Script, SqlDialectName } from "./scripts";
export { applyScripts, DIALECTS, SqlSession, ApplyResult } from "./migrate";
export * from "./logins";
