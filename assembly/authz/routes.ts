// The route table: which declared route a request is on. Pure: no host calls.
//
// The most specific route whose template, host and method match decides (template.ts, compare).
// None: 404 route_not_declared (405 method_not_declared when only the method differs), or, with
// unmatched_routes: allow, the request passes and counts as a shadow API.
import { METHOD_NOT_DECLARED, ROUTE_NOT_DECLARED } from "../reply/reasons";
import { Decision, RoutePolicy, SHADOW } from "./route";
import { SegmentKind, splitPathInto } from "./template";

export const enum UnmatchedRoutes { Deny = 0, Allow = 1 }

// Whether a route's methods (non-empty) take `method`. HEAD is GET without the body to most
// frameworks (Express, Flask, Spring, Rails and ASP.NET run the GET handler for it): a route that
// takes GET takes HEAD, so a HEAD cannot skip a GET route's rules by landing on a less specific
// route (config/routes.ts refuses a GET and a HEAD route of one path as overlapping).
export function takesMethod(methods: string[], method: string): bool {
  return methods.includes(method) || (method == "HEAD" && methods.includes("GET"));
}

// Routes indexed by their leading literal segments. A node at depth d holds the routes whose first
// d segments are literals on the way to it and whose segment d is not a literal (or who end
// there). Lookup walks the path's segments down the literal children and offers the candidates
// deepest node first: a longer literal prefix is always more specific (template.ts, compare), so
// the order is the same as a scan of all routes sorted by specificity, at the cost of the path's
// depth.
export class RouteNode {
  readonly children: Map<string, RouteNode> = new Map();
  readonly routes: RoutePolicy[] = [];
}

// `folded`: keyed by the literals in ASCII lowercase (the case-insensitive reading).
export function indexRoutes(sorted: RoutePolicy[], folded: bool = false): RouteNode {
  const root = new RouteNode();
  for (let i = 0; i < sorted.length; i++) {
    const route = sorted[i];
    const segs = route.template.segments;
    let node = root;
    for (let d = 0; d < segs.length && segs[d].kind == SegmentKind.Literal; d++) {
      const text = folded ? segs[d].folded : segs[d].text;
      if (!node.children.has(text)) node.children.set(text, new RouteNode());
      node = node.children.get(text);
    }
    node.routes.push(route);
  }
  return root;
}

// The route a request is on and its path parameters, or the decision for a request on none.
export class RouteMatch {
  route: RoutePolicy | null = null;
  params: string[] = [];
  unrouted: Decision = SHADOW;   // when route is null: 404, 405, or a shadow allow
}

export class RouteTable {
  readonly index: RouteNode;
  readonly foldedIndex: RouteNode;   // the same routes, for otherRoute()
  readonly usesHosts: bool;      // some route names hosts: :authority is read
  readonly upperLiterals: bool;  // some route's literal has an uppercase letter
  // Scratch for lookups: the nodes on the path's literal walk. Reused: one request at a time per VM.
  private readonly walk: RouteNode[] = [];
  private readonly segments: string[] = [];
  private readonly scratch: RouteMatch = new RouteMatch();

  constructor(
    public readonly routes: RoutePolicy[],        // most specific first (sorted when compiled)
    public readonly unmatched: UnmatchedRoutes,
  ) {
    let hosts = false;
    let upper = false;
    for (let i = 0; i < routes.length; i++) {
      if (routes[i].hosts.length > 0) hosts = true;
      const segs = routes[i].template.segments;
      for (let d = 0; d < segs.length; d++) if (segs[d].kind == SegmentKind.Literal && segs[d].text != segs[d].folded) upper = true;
    }
    this.usesHosts = hosts;
    this.upperLiterals = upper;
    const index = indexRoutes(routes);
    this.index = index;
    // Literals that fold to themselves (the usual policy) index the same either way: one index.
    this.foldedIndex = upper ? indexRoutes(routes, true) : index;
  }

  // The route of the path as a server reads it that ignores ASCII case and drops ';' path
  // parameters (Express and ASP.NET route case-insensitively; Tomcat and Jetty drop parameters):
  // `path` already so (lowercase, no parameters). It must be the route match() finds, or the
  // request could reach the service on a route whose rules meshguard did not apply. Call it before
  // match(): it reuses the same scratch.
  otherRoute(method: string, path: string, host: string): RoutePolicy | null {
    return this.find(method, path, host, true).route;
  }

  // `path` has passed validate/path.ts; `host` is "" unless usesHosts. The answer is reused by the
  // next call: read it before.
  match(method: string, path: string, host: string): RouteMatch {
    return this.find(method, path, host, false);
  }

  private find(method: string, path: string, host: string, folded: bool): RouteMatch {
    const segments = splitPathInto(path, this.segments);
    const walk = this.walk;
    walk.length = 0;
    let node = folded ? this.foldedIndex : this.index;
    walk.push(node);
    for (let d = 0; d < segments.length && node.children.has(segments[d]); d++) {
      node = node.children.get(segments[d]);
      walk.push(node);
    }
    const m = this.scratch;
    m.route = null;
    let pathMatched = false;
    for (let w = walk.length - 1; w >= 0; w--) {
      const candidates = walk[w].routes;
      for (let i = 0; i < candidates.length; i++) {
        const route = candidates[i];
        m.params.length = 0;
        if (!route.template.match(segments, m.params, folded)) continue;
        if (route.hosts.length > 0 && !route.hosts.includes(host)) continue;
        pathMatched = true;
        if (route.methods.length > 0 && !takesMethod(route.methods, method)) continue;
        m.route = route;
        return m;
      }
    }
    if (this.unmatched == UnmatchedRoutes.Allow) m.unrouted = SHADOW;
    else m.unrouted = Decision.refuse(pathMatched ? METHOD_NOT_DECLARED : ROUTE_NOT_DECLARED, null, "");
    return m;
  }
}
