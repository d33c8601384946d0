/// An error of another layer that may stand for a client's mistake: ``ProblemMiddleware`` answers its `problem` (a
/// 4xx) when it has one, instead of a 500.
public protocol ProblemConvertible: Error {
    var problem: Problem? { get }
}
