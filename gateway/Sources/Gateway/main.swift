import EventBus
import Foundation
import GatewayApp
import Logging
import ServiceKit

try EventLoopThreading.configureLoopCount(EnvironmentReader(ProcessInfo.processInfo.environment))
let configuration = try GatewayConfiguration.fromEnvironment()
if configuration.onEventLoops { EventLoopThreading.adoptAsGlobalExecutor() }
LoggingBootstrap.bootstrap(service: configuration.instance, level: configuration.logLevel)
try LibRdKafka.requireSupportedVersion()
var logger = Logger(label: "gateway")
logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
logger.info("starting", metadata: ["port": "\(configuration.port)", "librdkafka": "\(LibRdKafka.versionString)"])
try await GatewayApplication(configuration: configuration, logger: logger).run()
