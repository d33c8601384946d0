import Contracts
import Hummingbird

/// A settings document answers as JSON, whichever service owns it.
extension VersionedSettings: ResponseEncodable {}
