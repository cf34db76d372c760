// `server-only` for the operator's commands (tsconfig.cli.json maps the package here). In Next it
// keeps server modules out of browser bundles; a command run with Node has no browser bundle to
// guard, and the package's `react-server` condition, which would let it load, also changes how
// React renders the mail the commands send.
export {};
