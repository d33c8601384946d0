/// Headers only the gateway may set; it drops any copy a client sends.
public enum InternalHeaders {
    public static let brandID = "X-Concierge-Brand-Id"
    public static let clientAddress = "X-Concierge-Client-Address"
    public static let requestID = "X-Request-Id"
    public static let all = [brandID, clientAddress, requestID]
}
