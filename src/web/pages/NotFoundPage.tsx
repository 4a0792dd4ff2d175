import { Link } from "react-router";
import { Empty } from "../components/states.tsx";

export default function NotFoundPage() {
  return (
    <div className="content">
      <Empty title="This page does not exist.">
        <Link to="/">Back to the dashboard</Link>
      </Empty>
    </div>
  );
}
