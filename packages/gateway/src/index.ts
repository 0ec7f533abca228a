export { compileRoutes, type RouteMatch, type RouteTable } from './route-table.js';
export { GATEWAY_APP, type GatewayOptions, type RunningGateway, startGateway } from './start-gateway.js';
