# A Rack 2 application that answers with what a Rails controller's `params` would hold for the
# request it received, and the method Rack::MethodOverride made of it: the real Rack (Debian's
# ruby-rack) and the real json gem (Ruby's), run behind Envoy as the service. Rails builds params
# from the body (a form through Rack::Request#POST, a JSON body through the json gem, as
# ActionDispatch's JSON parser does) merged with the query (the query winning), then the route's
# own parameters; the last are not modelled here.
require "json"
require "rack"
require "webrick"

JSON_TYPES = ["application/json", "text/x-json", "application/jsonrequest"].freeze

def body_params(req)
  type = req.media_type.to_s.downcase
  if JSON_TYPES.include?(type)
    raw = req.body.read
    req.body.rewind
    return {} if raw.empty?
    doc = JSON.parse(raw)
    doc.is_a?(Hash) ? doc : { "_json" => doc }
  else
    req.POST
  end
end

reader = lambda do |env|
  req = Rack::Request.new(env)
  out = { "method" => env["REQUEST_METHOD"], "original_method" => env["rack.methodoverride.original_method"] }
  begin
    out["query"] = req.GET
  rescue StandardError => e
    out["query_error"] = "#{e.class}: #{e.message[0, 120]}"
  end
  begin
    out["body"] = body_params(req)
  rescue StandardError => e
    out["body_error"] = "#{e.class}: #{e.message[0, 120]}"
  end
  out["params"] = (out["body"] || {}).merge(out["query"] || {})
  # Identity headers as the service sees them (CGI-style names: any spelling the server folds).
  out["identity"] = env.select { |k, _| k.include?("MESHGUARD") || k.include?("FORWARDED_CLIENT_CERT") }
  [200, { "content-type" => "application/json" }, [JSON.generate(out)]]
end

app = Rack::MethodOverride.new(reader)
server = WEBrick::HTTPServer.new(BindAddress: "127.0.0.1", Port: 0, Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN), AccessLog: [])
server.mount "/", Rack::Handler::WEBrick, app
# WEBrick writes a response's head and body apart: without TCP_NODELAY (inherited by accepted
# sockets) each answer would wait for the client's delayed ACK, some 40 ms.
server.listeners.each { |s| s.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1) }
$stdout.puts "listening #{server.config[:Port]} rack #{Rack.release} json #{JSON::VERSION} ruby #{RUBY_VERSION}"
$stdout.flush
trap("TERM") { server.shutdown }
server.start
