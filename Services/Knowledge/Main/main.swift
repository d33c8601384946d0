import Contracts
import Fleet

try await PlaceholderService.main(.knowledge)
