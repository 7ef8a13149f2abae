import { readFileSync } from "node:fs";
import { createServer } from "node:http";

/** The floor a page can be served at here: a bare Node server sending fixed bytes. Run as a child process. */
const [file, port] = process.argv.slice(2);
const body = readFileSync(file!);
createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": body.length });
  res.end(body);
}).listen(Number(port), "127.0.0.1", () => console.log("ready"));
