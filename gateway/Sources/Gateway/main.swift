import EventBus
import GatewayApp
import Logging
import ServiceKit

let configuration = try GatewayConfiguration.fromEnvironment()
if configuration.onEventLoops { EventLoopThreading.adoptAsGlobalExecutor() }
LoggingBootstrap.bootstrap(service: configuration.instance, level: configuration.logLevel)
try LibRdKafka.requireSupportedVersion()
var logger = Logger(label: "gateway")
logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
logger.info("starting", metadata: ["port": "\(configuration.port)", "librdkafka": "\(LibRdKafka.versionString)"])
try await GatewayApplication(configuration: configuration, logger: logger).run()
