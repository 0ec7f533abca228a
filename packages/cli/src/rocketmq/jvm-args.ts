import { join } from 'node:path';

export interface JvmOptions {
  libDir: string;
  /** `user.home`: RocketMQ writes `logs/rocketmqlogs` (and the broker its default store) there. */
  home: string;
  heapMb: number;
  /** Which of RocketMQ's bundled logback configs to use, e.g. `rmq.namesrv.logback.xml`. */
  logConfig: string;
  directMb?: number;
  /** For short-lived tools: C1 only starts faster. */
  quickStart?: boolean;
}

/** JVM flags shared by the name server, the proxy and the admin tool. */
export function jvmArgs(options: JvmOptions): string[] {
  return [
    `-Xms${options.heapMb}m`,
    `-Xmx${options.heapMb}m`,
    ...(options.directMb === undefined ? [] : [`-XX:MaxDirectMemorySize=${options.directMb}m`]),
    // Serial GC: a development broker on a 2-core machine should not spread GC threads around.
    '-XX:+UseSerialGC',
    ...(options.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
    '-XX:-OmitStackTraceInFastThrow',
    `-Duser.home=${options.home}`,
    // NamesrvStartup exits without a home; nothing is read from it since every config is passed as a file.
    `-Drocketmq.home.dir=${options.home}`,
    // All jars share one classpath, where RocketMQ would pick the proxy's log config for every JVM.
    `-Drmq.logback.configurationFile=${options.logConfig}`,
    '-Djava.net.preferIPv4Stack=true',
    '-Dfile.encoding=UTF-8',
    // RocketMQ reaches into JDK internals (direct buffers, mmap cleaner) that JDK 17 closes by default.
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
    '-cp',
    // The JVM expands `dir/*` itself; no shell is involved.
    join(options.libDir, '*'),
  ];
}
