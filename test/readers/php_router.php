<?php
// What PHP hands a script for the request it received (PHP's own SAPI parsing, run with `php -n -S`
// behind Envoy as the service, built-in defaults: $_REQUEST takes the query, the form and cookies),
// and what Laravel's $request->input() and method override would read: a JSON body (when the
// content-type holds "/json" or "+json") in place of the form, its members winning over the
// query's (a PUT form parsed as Symfony does); a POST's `_method` from that body, else from the query.
$raw = file_get_contents('php://input');
$type = $_SERVER['CONTENT_TYPE'] ?? '';
$isJson = str_contains($type, '/json') || str_contains($type, '+json');
$json = $isJson ? json_decode($raw, true) : null;
$form = $_POST;
// Symfony's createFromGlobals parses a PUT, DELETE or PATCH form body itself (PHP fills $_POST for
// a POST only).
if (in_array($_SERVER['REQUEST_METHOD'], ['PUT', 'DELETE', 'PATCH'], true) && str_starts_with($type, 'application/x-www-form-urlencoded')) parse_str($raw, $form);
$source = $isJson ? (is_array($json) ? $json : []) : $form;
$input = $source + $_GET;
$method = $_SERVER['REQUEST_METHOD'];
if ($method === 'POST') {
  $override = $source['_method'] ?? ($_GET['_method'] ?? null);
  if (is_string($override)) $method = strtoupper($override);
}
header('Content-Type: application/json');
echo json_encode([
  'get' => $_GET, 'post' => $_POST, 'cookie' => $_COOKIE, 'request' => $_REQUEST, 'files' => array_keys($_FILES),
  'input' => $input, 'method' => $method, 'version' => PHP_VERSION,
  'identity' => array_filter($_SERVER, fn($k) => str_contains($k, 'MESHGUARD') || str_contains($k, 'FORWARDED_CLIENT_CERT'), ARRAY_FILTER_USE_KEY),
], JSON_INVALID_UTF8_SUBSTITUTE);
