extension Array {
    /// Nil for an empty array: a list criterion that was not given (``QueryConditions/require(_:_:)``).
    public var nonEmpty: Self? { isEmpty ? nil : self }
}
