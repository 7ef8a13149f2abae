export * from "./catalog";
export * from "./accounts";
export * from "./audit";
export * from "./qualification";
export * from "./provisioning";
export * from "./trials";
export * from "./billing";
export * from "./workers";
