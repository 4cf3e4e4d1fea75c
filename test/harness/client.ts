// The tests' HTTPS client is the one the demo uses too (tools/envoy/client.ts).
export * from "../../tools/envoy/client";
