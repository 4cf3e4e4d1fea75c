// An Express 4 application (npm's express, its qs and body-parser, and method-override) that
// answers with what its handlers would read for the request it received: req.query (qs, the
// "extended" parser Express 4 uses by default), req.body (a form through qs, extended, as its
// README sets it up; JSON through body-parser) and req.method after method-override, set up as its
// README shows: the X-HTTP-Method-Override header, a `_method` query parameter, and `_method` in a
// body. Run behind Envoy as the service.
const express = require("express");
const methodOverride = require("method-override");

const app = express();
app.use(express.urlencoded({ extended: true }));
app.use(express.json({ type: ["application/json", "application/*+json"] }));
app.use(methodOverride("X-HTTP-Method-Override"));
app.use(methodOverride("_method"));
app.use(methodOverride((req) => {
  if (req.body && typeof req.body === "object" && "_method" in req.body) {
    const method = req.body._method;
    delete req.body._method;
    return method;
  }
}));
// Identity headers under any spelling (Node keeps names as sent, in lowercase).
const identity = (req) => Object.fromEntries(Object.entries(req.headers).filter(([k]) => /meshguard|forwarded.client.cert/.test(k)));
app.use((req, res) => res.json({ method: req.method, query: req.query, body: req.body ?? null, identity: identity(req) }));
// A body the parsers refuse is the framework refusing the request: answered as such.
app.use((err, req, res, next) => res.status(400).json({ error: String(err && err.type || err) }));

const server = app.listen(0, "127.0.0.1", () => {
  const v = (p) => require(`${p}/package.json`).version;
  console.log(`listening ${server.address().port} express ${v("express")} qs ${v("qs")} method-override ${v("method-override")} node ${process.versions.node}`);
});
