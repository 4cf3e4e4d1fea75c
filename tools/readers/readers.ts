// Real framework readers as services: a Rack 2 application (Debian's ruby-rack, served by WEBrick,
// answering with what a Rails controller's params would hold), PHP's built-in server (answering
// with $_GET, $_POST, $_COOKIE, $_REQUEST and Laravel's reading) and a Werkzeug application
// (Flask's request.values), and an Express 4 application (npm's express, qs and method-override),
// the scripts in test/readers/. Installed from Debian's packages the
// first time they are needed (apt-get, progress shown); RUBY_BIN, PHP_BIN and PYTHON_BIN, or the
// commands on PATH (Debian's /usr/bin/python3 for Werkzeug), are used when present.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, connect } from "node:net";
import { resolve } from "node:path";
import { aptInstall, onPath, withInstallLock } from "../install-lock.ts";

const SCRIPTS = resolve(import.meta.dirname, "..", "..", "test", "readers");
const PACKAGES = ["ruby", "ruby-rack", "ruby-webrick", "php-cli", "python3-werkzeug"];

export interface Reader {
  name: "rack" | "php" | "werkzeug" | "express";
  version: string;          // what the reader says it runs
  port: number;
  stop(): Promise<void>;
}

function rubyReady(ruby: string): boolean {
  return spawnSync(ruby, ["-e", 'require "rack"; require "webrick"; require "json"'], { stdio: "ignore" }).status === 0;
}

function pythonReady(python: string): boolean {
  return spawnSync(python, ["-c", "import werkzeug"], { stdio: "ignore" }).status === 0;
}

// The ruby, php and python commands, installing what is missing.
export function resolveReaders(): { ruby: string; php: string; python: string } {
  const find = () => ({ ruby: process.env.RUBY_BIN ?? onPath("ruby"), php: process.env.PHP_BIN ?? onPath("php"), python: process.env.PYTHON_BIN ?? "/usr/bin/python3" });
  const ready = (f: ReturnType<typeof find>) => f.ruby !== null && f.php !== null && rubyReady(f.ruby) && pythonReady(f.python);
  let found = find();
  if (!ready(found)) {
    withInstallLock("apt", () => {
      found = find();
      if (!ready(found)) aptInstall(PACKAGES, "Ruby with Rack, PHP and Werkzeug, the framework readers the tests compare with");
    });
    found = find();
  }
  if (!ready(found)) throw new Error(`ruby with rack and webrick, php, and python3 with werkzeug are not usable after installing ${PACKAGES.join(", ")}`);
  return { ruby: found.ruby!, php: found.php!, python: found.python };
}

// PHP's built-in server forks its workers, which ignore SIGTERM and outlive their parent: it runs in
// a process group of its own, killed whole.
function groupStopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once("exit", () => done()));
    try { process.kill(-child.pid!, "SIGKILL"); } catch { /* the group is gone */ }
    await exited;
  };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) { done(); return; }
    child.once("exit", () => done());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  });
}

// A reader that picks its port and prints it, with the versions it runs, on its first line.
async function startListening(name: "rack" | "werkzeug" | "express", command: string, script: string): Promise<Reader> {
  const child = spawn(command, [resolve(SCRIPTS, script)], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => { err = (err + d).slice(-4000); });
  const line = await new Promise<string>((done, fail) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) done(out.slice(0, nl));
    });
    child.once("exit", (code) => fail(new Error(`the ${name} reader exited (${code}): ${err}`)));
  });
  const m = /^listening (\d+) (.*)$/.exec(line);
  if (!m) throw new Error(`the ${name} reader said ${line}`);
  return { name, version: m[2], port: Number(m[1]), stop: stopper(child) };
}

// The Rack reader: WEBrick on a port it picks.
export const startRackReader = (ruby: string) => startListening("rack", ruby, "rack_app.rb");

// The Werkzeug reader: Werkzeug's threaded development server on a port it picks.
export const startWerkzeugReader = (python: string) => startListening("werkzeug", python, "werkzeug_app.py");

// The Express reader: npm's express 4 (a devDependency) in a Node process of its own.
export const startExpressReader = () => startListening("express", process.execPath, "express_app.cjs");

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => { const port = (s.address() as { port: number }).port; s.close(() => done(port)); });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => { c.destroy(); done(true); });
    c.once("error", () => done(false));
  });
}

// PHP's built-in server with no php.ini (-n: the built-in defaults, under which $_REQUEST takes
// cookies too; its warnings kept out of the answers), on a free port, polled until it accepts
// connections.
export async function startPhpReader(php: string): Promise<Reader> {
  const version = spawnSync(php, ["-n", "-r", "echo PHP_VERSION;"], { encoding: "utf8" }).stdout.trim();
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    // Several workers: one alone serves one connection at a time, and Envoy keeps its connections.
    // Its log (a line per connection) is not read: a pipe left full would stop the server.
    const child = spawn(php, ["-n", "-d", "display_errors=0", "-S", `127.0.0.1:${port}`, resolve(SCRIPTS, "php_router.php")], { stdio: "ignore", detached: true, env: { ...process.env, PHP_CLI_SERVER_WORKERS: "4" } });
    let exited = false;
    child.once("exit", () => { exited = true; });
    const deadline = Date.now() + 10_000;
    let delay = 5;
    while (!exited && Date.now() < deadline && !(await accepts(port))) {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    if (!exited && await accepts(port)) return { name: "php", version: `php ${version}`, port, stop: groupStopper(child) };
    await groupStopper(child)();
    if (attempt >= 2) throw new Error("PHP's built-in server did not start");
  }
}
