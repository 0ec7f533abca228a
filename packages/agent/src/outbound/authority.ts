/** `host:port` with an IPv6 address in brackets, as URLs and gRPC targets need it. */
export function authority(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
