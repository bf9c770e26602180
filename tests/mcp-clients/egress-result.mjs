// Drives aisbx-mcp over stdio with the official MCP TypeScript SDK and asks for an allowlist run: the result's
// network field and the warnings the client is sent for refused connections, printed as one JSON document.
//
//   node egress-result.mjs PORT COMMAND [ARG...]   PORT: the test's upstream; allowed.test and other.test point at it
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [port, ...target] = process.argv.slice(2);
const env = getDefaultEnvironment();
for (const name of ["AISBX_ROOTFS", "AISBX_CACHE"]) {
  if (process.env[name]) env[name] = process.env[name];
}
const transport = new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: "ignore", env });
const client = new Client({ name: "aisbx-egress-tests", version: "1.0.0" });
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => logs.push(notification.params));
await client.connect(transport);
await client.setLoggingLevel("info");

const guard = '[ "$(cat /proc/sys/kernel/hostname)" = aisbx ] || exit 99; ';
const run = async (args) => {
  const result = await client.callTool({ name: "aisbx-run", arguments: args });
  return { isError: result.isError ?? false, text: result.content?.map((c) => c.text).join("\n") ?? "", structured: result.structuredContent ?? null };
};

const report = {};
report.allowlist = await run({
  profile: "proxied",
  network: "allowlist",
  allowHosts: [`allowed.test:${port}`],
  command: ["sh", "-c", guard + `curl -sS -m 10 http://allowed.test:${port}/mcp; curl -s -m 10 -o /dev/null -w '%{http_code}' http://other.test:${port}/`],
});
report.logs = logs.map((l) => ({ level: l.level, data: l.data }));
report.widened = await run({ profile: "proxied", network: "allowlist", allowHosts: ["example.org"], command: ["true"] });
report.tooBroad = await run({ profile: "proxied", allowHosts: ["*"], command: ["true"] });

await client.close();
process.stdout.write(JSON.stringify(report));
